-- How many activities the shared filters select (for the sentence at the top of the page).
SELECT count(*) AS activities FROM selected_activities($filters) AS a
