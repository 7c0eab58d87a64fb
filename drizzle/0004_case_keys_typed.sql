-- Data migration (issue 14): case keys rewritten to harness/case-key.ts's typed form, from each
-- case's stored params. A name or a string value stays bare only when it is a plain word (and,
-- for a value, not true or false); otherwise it becomes a JSON string. Numbers and booleans stay
-- bare. Keys in params order by code point, as the JS sort does for ASCII names.
UPDATE `cases` SET `key` = coalesce((
  SELECT group_concat(
    (CASE WHEN p.key GLOB '[A-Za-z_]*' AND NOT p.key GLOB '*[^A-Za-z0-9_.-]*' THEN p.key ELSE json_quote(p.key) END)
    || '=' ||
    (CASE p.type
      WHEN 'text' THEN
        CASE WHEN p.atom GLOB '[A-Za-z_]*' AND NOT p.atom GLOB '*[^A-Za-z0-9_.-]*' AND p.atom NOT IN ('true', 'false')
          THEN p.atom ELSE json_quote(p.atom) END
      WHEN 'true' THEN 'true'
      WHEN 'false' THEN 'false'
      ELSE CAST(p.atom AS TEXT)
    END),
    ',' ORDER BY p.key)
  FROM json_each(`cases`.`params`) p
), '');
