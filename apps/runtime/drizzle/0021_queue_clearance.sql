-- A work queue's PHI clearance: the classes its people are cleared to see, as a JSON list; a flow
-- role of the queue's name sees only these of the classes it asks for. NULL (every existing queue)
-- means no clearance is set: each flow's role decides alone, as before.
ALTER TABLE `queues` ADD `phi` text;
