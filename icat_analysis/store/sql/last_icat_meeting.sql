-- The start of the last ICAT meeting in the events calendar before $today (NULL when none).
SELECT max(start_date) AS day FROM events WHERE kind = 'icat_meeting' AND start_date < $today
