CREATE TABLE `annotations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`text` text NOT NULL,
	`machine_id` integer,
	`series_id` integer,
	`run_pk` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`machine_id`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`series_id`) REFERENCES `series`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`run_pk`) REFERENCES `runs`(`pk`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `annotations_at` ON `annotations` (`at`);--> statement-breakpoint
CREATE TABLE `benchmarks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`suite_id` integer NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	FOREIGN KEY (`suite_id`) REFERENCES `suites`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `benchmarks_suite_name` ON `benchmarks` (`suite_id`,`name`);--> statement-breakpoint
CREATE TABLE `cases` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`benchmark_id` integer NOT NULL,
	`key` text NOT NULL,
	`params` text NOT NULL,
	FOREIGN KEY (`benchmark_id`) REFERENCES `benchmarks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cases_benchmark_key` ON `cases` (`benchmark_id`,`key`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`schedule_id` integer,
	`slot` integer,
	`suites` text NOT NULL,
	`modes` text NOT NULL,
	`labels` text NOT NULL,
	`profile` text,
	`machine_id` integer,
	`status` text DEFAULT 'queued' NOT NULL,
	`claimed_by` integer,
	`claimed_at` integer,
	`lease_expires_at` integer,
	`lease_seconds` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`holders` text DEFAULT '[]' NOT NULL,
	`progress` text,
	`run_id` text,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`schedule_id`) REFERENCES `schedules`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`machine_id`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`claimed_by`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_schedule_slot` ON `jobs` (`schedule_id`,`slot`);--> statement-breakpoint
CREATE INDEX `jobs_status_created` ON `jobs` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `machines` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`fingerprint` text NOT NULL,
	`hostname` text NOT NULL,
	`os` text NOT NULL,
	`kernel` text NOT NULL,
	`arch` text NOT NULL,
	`cpu` text NOT NULL,
	`memory_bytes` real NOT NULL,
	`details` text NOT NULL,
	`labels` text NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `machines_fingerprint_unique` ON `machines` (`fingerprint`);--> statement-breakpoint
CREATE TABLE `modes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`runtime_id` integer NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`mode` text NOT NULL,
	`env` text NOT NULL,
	FOREIGN KEY (`runtime_id`) REFERENCES `runtimes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `modes_runtime_key` ON `modes` (`runtime_id`,`key`);--> statement-breakpoint
CREATE TABLE `regressions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`series_id` integer NOT NULL,
	`run_pk` integer NOT NULL,
	`previous_run_pk` integer,
	`detected_run_pk` integer,
	`kind` text NOT NULL,
	`status` text DEFAULT 'new' NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`change` real NOT NULL,
	`change_ci_low` real NOT NULL,
	`change_ci_high` real NOT NULL,
	`confidence` real NOT NULL,
	`score` real NOT NULL,
	`before_ns` real NOT NULL,
	`after_ns` real NOT NULL,
	`noise` real NOT NULL,
	`before_count` integer NOT NULL,
	`after_count` integer NOT NULL,
	`method` text NOT NULL,
	`started_at` integer NOT NULL,
	`detected_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`series_id`) REFERENCES `series`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`run_pk`) REFERENCES `runs`(`pk`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`previous_run_pk`) REFERENCES `runs`(`pk`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`detected_run_pk`) REFERENCES `runs`(`pk`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `regressions_series_run` ON `regressions` (`series_id`,`run_pk`);--> statement-breakpoint
CREATE INDEX `regressions_status_time` ON `regressions` (`status`,`started_at`);--> statement-breakpoint
CREATE INDEX `regressions_run` ON `regressions` (`run_pk`);--> statement-breakpoint
CREATE TABLE `result_samples` (
	`result_id` integer PRIMARY KEY NOT NULL,
	`samples` blob NOT NULL,
	FOREIGN KEY (`result_id`) REFERENCES `results`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `results` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_pk` integer NOT NULL,
	`position` integer NOT NULL,
	`series_id` integer NOT NULL,
	`case_id` integer NOT NULL,
	`mode_id` integer NOT NULL,
	`started_at` integer NOT NULL,
	`status` text NOT NULL,
	`unit` text NOT NULL,
	`loop_cost_ns` real NOT NULL,
	`loops` integer NOT NULL,
	`ops_per_loop` integer NOT NULL,
	`processes` integer NOT NULL,
	`n` integer,
	`mean` real,
	`median` real,
	`min` real,
	`max` real,
	`sd` real,
	`ci_low` real,
	`ci_high` real,
	`margin` real,
	`peak_rss_bytes` real,
	`checksum` text,
	`gil_after_load` integer,
	`gil_after_run` integer,
	`load_before` real,
	`load_after` real,
	`wall_ms` real NOT NULL,
	`warnings` text NOT NULL,
	`error` text,
	`level_ns` real,
	`level_rse` real,
	FOREIGN KEY (`run_pk`) REFERENCES `runs`(`pk`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`series_id`) REFERENCES `series`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`mode_id`) REFERENCES `modes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `results_series_time` ON `results` (`series_id`,`started_at`,`run_pk`,`status`,`level_ns`,`level_rse`);--> statement-breakpoint
CREATE INDEX `results_run` ON `results` (`run_pk`,`position`);--> statement-breakpoint
CREATE TABLE `run_modes` (
	`run_pk` integer NOT NULL,
	`position` integer NOT NULL,
	`mode_id` integer NOT NULL,
	PRIMARY KEY(`run_pk`, `position`),
	FOREIGN KEY (`run_pk`) REFERENCES `runs`(`pk`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`mode_id`) REFERENCES `modes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `runs` (
	`pk` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`machine_id` integer NOT NULL,
	`job_id` text,
	`started_at` integer NOT NULL,
	`finished_at` integer NOT NULL,
	`started_at_text` text NOT NULL,
	`finished_at_text` text NOT NULL,
	`profile` text NOT NULL,
	`gilbench_version` text NOT NULL,
	`machine` text NOT NULL,
	`suites` text NOT NULL,
	`warnings` text NOT NULL,
	`result_count` integer NOT NULL,
	`received_at` integer NOT NULL,
	`uploaded_by` text,
	FOREIGN KEY (`machine_id`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `runs_id_unique` ON `runs` (`id`);--> statement-breakpoint
CREATE INDEX `runs_machine_started` ON `runs` (`machine_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `runtimes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`machine_id` integer NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`implementation` text NOT NULL,
	`version` text NOT NULL,
	`free_threaded` integer NOT NULL,
	`gil_enabled_by_default` integer NOT NULL,
	`configure_args` text NOT NULL,
	`compiler` text NOT NULL,
	`revision` text,
	`executable` text NOT NULL,
	`sha256` text NOT NULL,
	FOREIGN KEY (`machine_id`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `runtimes_machine_key` ON `runtimes` (`machine_id`,`key`);--> statement-breakpoint
CREATE TABLE `schedules` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`cron` text NOT NULL,
	`timezone` text,
	`suites` text NOT NULL,
	`modes` text NOT NULL,
	`labels` text NOT NULL,
	`profile` text,
	`enabled` integer DEFAULT true NOT NULL,
	`last_slot` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `series` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`machine_id` integer NOT NULL,
	`case_id` integer NOT NULL,
	`mode_name` text NOT NULL,
	`mode` text NOT NULL,
	`baseline_from` integer,
	`last_started_at` integer,
	`point_count` integer DEFAULT 0 NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`machine_id`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `series_identity` ON `series` (`machine_id`,`case_id`,`mode_name`);--> statement-breakpoint
CREATE INDEX `series_case` ON `series` (`case_id`);--> statement-breakpoint
CREATE TABLE `suites` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `suites_name_unique` ON `suites` (`name`);--> statement-breakpoint
CREATE TABLE `tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`secret_hash` blob NOT NULL,
	`role` text NOT NULL,
	`machine_id` integer,
	`name` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`machine_id`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE cascade
);
