ALTER TABLE "jobs" ADD COLUMN "runtime" text;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "runtime" text;