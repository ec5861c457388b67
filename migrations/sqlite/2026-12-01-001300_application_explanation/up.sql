-- An application keeps the exact match score and the explanation as the
-- matching endpoints show it (skills by slug, only the explanation's fields),
-- so that a client reads the same `Explanation` in both places. Rows written
-- before kept the engine's result: skills by internal id, the score rounded
-- to sixtieths beside it and exact inside the JSON. Numbers are copied as
-- written (`->`), never re-rendered, so that no digit is lost.
ALTER TABLE applications ADD COLUMN score DOUBLE PRECISION NOT NULL DEFAULT 0;

UPDATE applications
SET score = COALESCE(json_extract(explanation, '$.score'), score_sixtieths / 60.0)
WHERE json_valid(explanation);

UPDATE applications
SET explanation = json_object(
    'met', (
        SELECT json_group_array(json_object(
            'skill', COALESCE(s.slug, CAST(json_extract(m.value, '$.skill') AS TEXT)),
            'student_level', json(m.value -> '$.student_level'),
            'required_level', json(m.value -> '$.required_level'),
            'weight', json(m.value -> '$.weight'),
            'credit', json(m.value -> '$.credit'),
            'required', json(m.value -> '$.required')))
        FROM json_each(applications.explanation, '$.met') AS m
        LEFT JOIN skills AS s ON s.id = json_extract(m.value, '$.skill')),
    'partially_met', (
        SELECT json_group_array(json_object(
            'skill', COALESCE(s.slug, CAST(json_extract(m.value, '$.skill') AS TEXT)),
            'student_level', json(m.value -> '$.student_level'),
            'required_level', json(m.value -> '$.required_level'),
            'weight', json(m.value -> '$.weight'),
            'credit', json(m.value -> '$.credit'),
            'required', json(m.value -> '$.required')))
        FROM json_each(applications.explanation, '$.partially_met') AS m
        LEFT JOIN skills AS s ON s.id = json_extract(m.value, '$.skill')),
    'missing_required', (
        SELECT json_group_array(json_object(
            'skill', COALESCE(s.slug, CAST(json_extract(m.value, '$.skill') AS TEXT)),
            'required_level', json(m.value -> '$.required_level'),
            'weight', json(m.value -> '$.weight')))
        FROM json_each(applications.explanation, '$.missing_required') AS m
        LEFT JOIN skills AS s ON s.id = json_extract(m.value, '$.skill')),
    'missing_preferred', (
        SELECT json_group_array(json_object(
            'skill', COALESCE(s.slug, CAST(json_extract(m.value, '$.skill') AS TEXT)),
            'required_level', json(m.value -> '$.required_level'),
            'weight', json(m.value -> '$.weight')))
        FROM json_each(applications.explanation, '$.missing_preferred') AS m
        LEFT JOIN skills AS s ON s.id = json_extract(m.value, '$.skill')),
    'failed_filters', json(COALESCE(applications.explanation -> '$.failed_filters', '[]')))
WHERE json_valid(explanation);

ALTER TABLE applications DROP COLUMN score_sixtieths;
