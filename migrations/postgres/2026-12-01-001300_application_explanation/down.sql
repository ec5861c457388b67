-- Explanations stay by slug: the code before this migration read them as
-- untyped JSON and shows them as they are.
ALTER TABLE applications ADD COLUMN score_sixtieths INTEGER NOT NULL DEFAULT 0;
UPDATE applications SET score_sixtieths = ROUND(score * 60)::integer;
ALTER TABLE applications DROP COLUMN score;
