ALTER TABLE profile_views DROP COLUMN offer_id;
ALTER TABLE profile_views DROP COLUMN reading;
