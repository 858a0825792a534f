CREATE TABLE `pos_devices` (
	`id` text PRIMARY KEY NOT NULL,
	`store_id` text NOT NULL,
	`name` text NOT NULL,
	`secret_sealed` text,
	`status` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`paired_at` integer,
	`last_seen_at` integer,
	`last_sequence` integer DEFAULT 0 NOT NULL,
	`revoked_at` integer,
	`revoked_by` text
);
--> statement-breakpoint
CREATE INDEX `pos_devices_store_idx` ON `pos_devices` (`store_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `pos_mismatches` (
	`id` text PRIMARY KEY NOT NULL,
	`store_id` text NOT NULL,
	`device_id` text NOT NULL,
	`sequence` integer NOT NULL,
	`reason` text NOT NULL,
	`code` text NOT NULL,
	`quantity` integer NOT NULL,
	`status` text NOT NULL,
	`resolved_sku_id` text,
	`resolved_by` text,
	`resolved_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `pos_mismatches_store_idx` ON `pos_mismatches` (`store_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `pos_mismatches_tx_idx` ON `pos_mismatches` (`device_id`,`sequence`);--> statement-breakpoint
CREATE TABLE `pos_nonces` (
	`device_id` text NOT NULL,
	`nonce` text NOT NULL,
	`seen_at` integer NOT NULL,
	PRIMARY KEY(`device_id`, `nonce`)
);
--> statement-breakpoint
CREATE INDEX `pos_nonces_seen_idx` ON `pos_nonces` (`seen_at`);--> statement-breakpoint
CREATE TABLE `pos_pairing_codes` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`device_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`device_id`) REFERENCES `pos_devices`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `pos_pairing_codes_device_idx` ON `pos_pairing_codes` (`device_id`);--> statement-breakpoint
CREATE TABLE `pos_transactions` (
	`device_id` text NOT NULL,
	`sequence` integer NOT NULL,
	`store_id` text NOT NULL,
	`kind` text NOT NULL,
	`receipt_no` text NOT NULL,
	`at` integer NOT NULL,
	`payload` text NOT NULL,
	`total_fen` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`order_id` text,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`device_id`, `sequence`),
	FOREIGN KEY (`device_id`) REFERENCES `pos_devices`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "pos_transactions_sequence_positive" CHECK("pos_transactions"."sequence" > 0)
);
--> statement-breakpoint
CREATE INDEX `pos_transactions_store_idx` ON `pos_transactions` (`store_id`,`received_at`);