DROP INDEX `series_identity`;--> statement-breakpoint
CREATE UNIQUE INDEX `series_of_mode` ON `series` (`machine_id`,`case_id`,`mode`);