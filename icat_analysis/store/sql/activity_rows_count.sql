-- How many activities the filters select (the Data page counts them without fetching them).
SELECT count(*) AS activities
FROM selected_activities($filters) AS a
