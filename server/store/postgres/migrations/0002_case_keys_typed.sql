-- Data migration (issue 14): case keys rewritten to harness/case-key.ts's typed form, from each
-- case's stored params (json, kept as sent, so a string's JSON text is the one JavaScript wrote).
-- A name or a string value stays bare only when it is a plain word (and, for a value, not true or
-- false); otherwise it becomes a JSON string. Numbers and booleans stay bare. Names in code point order.
UPDATE "cases" SET "key" = coalesce((
  SELECT string_agg(
    (CASE WHEN p.key ~ '^[A-Za-z_][A-Za-z0-9_.-]*$' THEN p.key ELSE to_json(p.key)::text END)
    || '=' ||
    (CASE
      WHEN json_typeof(p.value) = 'string' AND (p.value #>> '{}') ~ '^[A-Za-z_][A-Za-z0-9_.-]*$'
        AND (p.value #>> '{}') NOT IN ('true', 'false') THEN p.value #>> '{}'
      ELSE p.value::text
    END),
    ',' ORDER BY p.key COLLATE "C")
  FROM json_each("cases"."params") p
), '');
