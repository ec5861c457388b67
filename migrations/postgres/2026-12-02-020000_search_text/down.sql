ALTER TABLE students DROP COLUMN search_text;
ALTER TABLE skills DROP COLUMN search_text;
ALTER TABLE offers DROP COLUMN search_text;
