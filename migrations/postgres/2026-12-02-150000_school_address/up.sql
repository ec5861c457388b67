-- The school's postal address, printed on the agreement; optional, since the
-- reference schools ship without one.
ALTER TABLE schools ADD COLUMN postal_address TEXT;
