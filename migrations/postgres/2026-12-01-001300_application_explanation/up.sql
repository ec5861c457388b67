-- An application keeps the exact match score and the explanation as the
-- matching endpoints show it (skills by slug, only the explanation's fields),
-- so that a client reads the same `Explanation` in both places. Rows written
-- before kept the engine's result: skills by internal id, the score rounded
-- to sixtieths beside it and exact inside the JSON. jsonb keeps numbers as
-- written, so no digit is lost.
ALTER TABLE applications ADD COLUMN score DOUBLE PRECISION NOT NULL DEFAULT 0;

UPDATE applications
SET score = COALESCE((explanation::jsonb ->> 'score')::double precision, score_sixtieths / 60.0);

UPDATE applications AS a
SET explanation = jsonb_build_object(
    'met', COALESCE((
        SELECT jsonb_agg(jsonb_build_object(
            'skill', COALESCE(s.slug, m.value ->> 'skill'),
            'student_level', m.value -> 'student_level',
            'required_level', m.value -> 'required_level',
            'weight', m.value -> 'weight',
            'credit', m.value -> 'credit',
            'required', m.value -> 'required') ORDER BY m.position)
        FROM jsonb_array_elements(COALESCE(a.explanation::jsonb -> 'met', '[]')) WITH ORDINALITY AS m (value, position)
        LEFT JOIN skills AS s ON s.id = (m.value ->> 'skill')::bigint), '[]'),
    'partially_met', COALESCE((
        SELECT jsonb_agg(jsonb_build_object(
            'skill', COALESCE(s.slug, m.value ->> 'skill'),
            'student_level', m.value -> 'student_level',
            'required_level', m.value -> 'required_level',
            'weight', m.value -> 'weight',
            'credit', m.value -> 'credit',
            'required', m.value -> 'required') ORDER BY m.position)
        FROM jsonb_array_elements(COALESCE(a.explanation::jsonb -> 'partially_met', '[]')) WITH ORDINALITY AS m (value, position)
        LEFT JOIN skills AS s ON s.id = (m.value ->> 'skill')::bigint), '[]'),
    'missing_required', COALESCE((
        SELECT jsonb_agg(jsonb_build_object(
            'skill', COALESCE(s.slug, m.value ->> 'skill'),
            'required_level', m.value -> 'required_level',
            'weight', m.value -> 'weight') ORDER BY m.position)
        FROM jsonb_array_elements(COALESCE(a.explanation::jsonb -> 'missing_required', '[]')) WITH ORDINALITY AS m (value, position)
        LEFT JOIN skills AS s ON s.id = (m.value ->> 'skill')::bigint), '[]'),
    'missing_preferred', COALESCE((
        SELECT jsonb_agg(jsonb_build_object(
            'skill', COALESCE(s.slug, m.value ->> 'skill'),
            'required_level', m.value -> 'required_level',
            'weight', m.value -> 'weight') ORDER BY m.position)
        FROM jsonb_array_elements(COALESCE(a.explanation::jsonb -> 'missing_preferred', '[]')) WITH ORDINALITY AS m (value, position)
        LEFT JOIN skills AS s ON s.id = (m.value ->> 'skill')::bigint), '[]'),
    'failed_filters', COALESCE(a.explanation::jsonb -> 'failed_filters', '[]'))::text;

ALTER TABLE applications DROP COLUMN score_sixtieths;
