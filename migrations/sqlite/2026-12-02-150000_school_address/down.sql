ALTER TABLE schools DROP COLUMN postal_address;
