-- What was read: the profile itself, a list of students, or a ranking that
-- names the student (with the offer it was for), so that the student learns
-- every reading of their data by someone else, not only of the profile page.
ALTER TABLE profile_views ADD COLUMN reading TEXT NOT NULL DEFAULT 'profile';
ALTER TABLE profile_views ADD COLUMN offer_id BIGINT;
