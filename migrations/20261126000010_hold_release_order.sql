-- The hold-release job reads due holds in (release_at, shipment_id) order, 500 at a
-- time. With only (status, release_at) indexed, every batch sorted all due holds that
-- share a release time (a whole day's deliveries released together): quadratic in the
-- backlog. With the tie-breaker in the index each batch is a range read.
DROP INDEX holds_due_idx;
CREATE INDEX holds_due_idx ON holds (status, release_at, shipment_id);
