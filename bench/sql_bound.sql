-- The lower bound of a scan: the rules of monitoring.rules, with their default thresholds, in one
-- hand-written statement over the same tables the scan reads. It decides and counts, and writes
-- nothing; the scan must also write alerts and cached facts, so it cannot beat this.
-- Not in it: the parts the rules and the layers gained later that read the registry's life
-- events, the area events' screenings, the capacity readings and the assistance standards, all
-- empty in the bench's county. With them as four more LATERAL joins the statement took 22.5 and
-- 23.2 s where this one took 20.6 and 23.3 (1,000,000 households, 2026-12-05): the same.
-- %(as_of)s is the as-of date.
SELECT count(*) AS households,
       count(*) FILTER (WHERE below) AS income_below_line,
       count(*) FILTER (WHERE near) AS income_near_line,
       count(*) FILTER (WHERE dropped) AS income_drop,
       count(*) FILTER (WHERE rigid) AS rigid_spending,
       count(*) FILTER (WHERE gap) AS guarantee_gap,
       count(*) FILTER (WHERE labour) AS labour_loss,
       count(*) FILTER (WHERE shock) AS shock_event,
       count(*) FILTER (WHERE signal) AS department_signal,
       count(*) FILTER (WHERE overdue) AS visit_overdue
FROM (
  SELECT
    lv.per_capita_income < line.amount AS below,
    lv.per_capita_income >= line.amount AND lv.per_capita_income < line.amount * 1.2 AS near,
    pv.per_capita_income > 0
      AND (pv.per_capita_income - lv.per_capita_income) / pv.per_capita_income >= 0.3 AS dropped,
    lv.rigid_spending > 0 AND (
      lv.total_net_income <= 0
      OR lv.rigid_spending >= lv.total_net_income * 0.5
      OR (lv.total_net_income - lv.rigid_spending) / lv.household_size < line.amount) AS rigid,
    NOT lv.all_ok AS gap,
    (m.active > 0 AND m.with_labour = 0) OR coalesce(loss.any, false) AS labour,
    coalesce(shock.any, false) AS shock,
    sig.id IS NOT NULL AS signal,
    coalesce(lv.visited_on, h.created_at::date)
      + CASE WHEN h.is_monitored THEN 30 WHEN h.risk_eliminated_on IS NOT NULL THEN 60
             WHEN h.poverty_status = 'lifted_out' THEN 90 ELSE 365 END
      + 15 < %(as_of)s::date AS overdue
  FROM households_household h
  LEFT JOIN LATERAL (
    SELECT id, visited_on, per_capita_income, total_net_income, rigid_spending, household_size,
           food_clothing_ok AND compulsory_education_ok AND basic_medical_ok AND safe_housing_ok
             AND safe_water_ok AS all_ok
    FROM monitoring_visit v WHERE v.household_id = h.id
    ORDER BY visited_on DESC, id DESC LIMIT 1) lv ON true
  LEFT JOIN LATERAL (
    SELECT per_capita_income FROM monitoring_visit v WHERE v.household_id = h.id
    ORDER BY visited_on DESC, id DESC OFFSET 1 LIMIT 1) pv ON true
  LEFT JOIN LATERAL (
    SELECT count(*) AS active,
           count(*) FILTER (WHERE labour IN ('skilled', 'ordinary', 'weak')) AS with_labour
    FROM households_member WHERE household_id = h.id AND status = 'active') m ON true
  LEFT JOIN LATERAL (
    SELECT bool_or(e.kind IN ('illness', 'disability', 'death')
                   AND (mm.labour IS NULL OR mm.labour <> 'none')) AS any
    FROM monitoring_visitevent e LEFT JOIN households_member mm ON mm.id = e.member_id
    WHERE e.visit_id = lv.id) loss ON true
  LEFT JOIN LATERAL (
    SELECT bool_or(e.kind IN ('illness', 'disability', 'disaster', 'accident',
                              'business_failure', 'job_loss')) AS any
    FROM monitoring_visitevent e JOIN monitoring_visit v ON v.id = e.visit_id
    WHERE v.household_id = h.id
      AND e.occurred_on BETWEEN %(as_of)s::date - 90 AND %(as_of)s::date) shock ON true
  LEFT JOIN LATERAL (
    SELECT s.id FROM monitoring_signal s
    WHERE s.household_id = h.id AND s.status = 'matched'
      AND s.occurred_on BETWEEN %(as_of)s::date - 90 AND %(as_of)s::date LIMIT 1) sig ON true
  LEFT JOIN LATERAL (
    SELECT amount FROM monitoring_incomeline l
    WHERE l.year <= extract(year FROM %(as_of)s::date)
      AND (l.region_id IS NULL OR h.village_id LIKE rtrim(l.region_id, '0') || '%%')
    ORDER BY l.year DESC, length(rtrim(coalesce(l.region_id, ''), '0')) DESC LIMIT 1) line ON true
) judged
