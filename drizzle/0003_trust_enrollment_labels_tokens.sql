CREATE TABLE `enrollment_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`machine_id` integer NOT NULL,
	`facts` text NOT NULL,
	`token_id` text NOT NULL,
	`secret_hash` blob NOT NULL,
	`token_name` text NOT NULL,
	`enroll_token_id` text,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`decided_at` integer,
	FOREIGN KEY (`machine_id`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `enrollment_requests_token_id_unique` ON `enrollment_requests` (`token_id`);--> statement-breakpoint
ALTER TABLE `machines` ADD `declared_labels` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `tokens` ADD `expires_at` integer;--> statement-breakpoint
ALTER TABLE `tokens` ADD `uses_left` integer;--> statement-breakpoint
ALTER TABLE `tokens` ADD `grant_labels` text DEFAULT '[]' NOT NULL;