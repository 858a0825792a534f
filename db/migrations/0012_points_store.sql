ALTER TABLE `points_ledger` ADD `store_id` text;--> statement-breakpoint
CREATE INDEX `points_ledger_store_idx` ON `points_ledger` (`store_id`,`created_at`);