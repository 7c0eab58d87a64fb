CREATE TABLE `answer_runs` (
	`answer_key` text NOT NULL,
	`run_pk` integer NOT NULL,
	PRIMARY KEY(`answer_key`, `run_pk`),
	FOREIGN KEY (`answer_key`) REFERENCES `answers`(`key`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`run_pk`) REFERENCES `runs`(`pk`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `answer_runs_run` ON `answer_runs` (`run_pk`);--> statement-breakpoint
CREATE TABLE `answers` (
	`key` text PRIMARY KEY NOT NULL,
	`text` text NOT NULL,
	`etag` text NOT NULL,
	`bytes` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `answers_created` ON `answers` (`created_at`,`key`);