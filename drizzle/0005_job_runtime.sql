ALTER TABLE `jobs` ADD `runtime` text;--> statement-breakpoint
ALTER TABLE `schedules` ADD `runtime` text;