-- Who read a student's profile, kept so that the student can learn it (law
-- 09-08 gives them the right to know who processed their data).
CREATE TABLE profile_views (
    id BIGSERIAL PRIMARY KEY,
    student_id BIGINT NOT NULL REFERENCES students (id),
    viewer_account_id BIGINT NOT NULL REFERENCES accounts (id),
    viewer_role TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX profile_views_student ON profile_views (student_id, id);
