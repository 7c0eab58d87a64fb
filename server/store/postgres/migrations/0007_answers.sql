CREATE TABLE "answer_runs" (
	"answer_key" text NOT NULL,
	"run_pk" integer NOT NULL,
	CONSTRAINT "answer_runs_answer_key_run_pk_pk" PRIMARY KEY("answer_key","run_pk")
);
--> statement-breakpoint
CREATE TABLE "answers" (
	"key" text PRIMARY KEY NOT NULL,
	"text" text NOT NULL,
	"etag" text NOT NULL,
	"bytes" integer NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "answer_runs" ADD CONSTRAINT "answer_runs_answer_key_answers_key_fk" FOREIGN KEY ("answer_key") REFERENCES "public"."answers"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "answer_runs" ADD CONSTRAINT "answer_runs_run_pk_runs_pk_fk" FOREIGN KEY ("run_pk") REFERENCES "public"."runs"("pk") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "answer_runs_run" ON "answer_runs" USING btree ("run_pk");--> statement-breakpoint
CREATE INDEX "answers_created" ON "answers" USING btree ("created_at","key");