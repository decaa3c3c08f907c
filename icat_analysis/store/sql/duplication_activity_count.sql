-- How many activities the filters select (for the sentence at the top of the page), and the
-- lead agencies among them: pairs are only ever of two different lead agencies.
SELECT count(*) AS activities,
       count(DISTINCT a.lead_agency) AS lead_agencies,
       min(a.lead_agency) AS a_lead_agency
FROM selected_activities($filters) AS a
