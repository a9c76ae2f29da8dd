CREATE TABLE `patient_refs` (
	`ref` text NOT NULL,
	`run_id` text NOT NULL,
	PRIMARY KEY(`ref`, `run_id`)
);
--> statement-breakpoint
CREATE INDEX `patient_refs_run` ON `patient_refs` (`run_id`);