ALTER TABLE `results` ADD `samples` blob;--> statement-breakpoint
UPDATE `results` SET `samples` = (SELECT `samples` FROM `result_samples` WHERE `result_samples`.`result_id` = `results`.`id`);--> statement-breakpoint
DROP TABLE `result_samples`;
