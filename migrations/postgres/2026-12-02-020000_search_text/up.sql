-- Accent- and case-folded text that searches match with LIKE; filled by the
-- application on every write (NULL until the start-up backfill reaches a row).
ALTER TABLE offers ADD COLUMN search_text TEXT;
ALTER TABLE skills ADD COLUMN search_text TEXT;
ALTER TABLE students ADD COLUMN search_text TEXT;
