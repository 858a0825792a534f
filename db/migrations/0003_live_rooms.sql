CREATE TABLE `host_verifications` (
	`user_id` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`real_name_sealed` text,
	`reviewed_by` text,
	`reviewed_at` integer,
	`note` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `flash_sales` (
	`id` text PRIMARY KEY NOT NULL,
	`store_id` text NOT NULL,
	`live_session_id` text NOT NULL,
	`sku_id` text NOT NULL,
	`price_fen` integer NOT NULL,
	`units` integer NOT NULL,
	`sold` integer NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`stopped_at` integer,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`store_id`) REFERENCES `stores`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sku_id`) REFERENCES `skus`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "flash_sales_units" CHECK("flash_sales"."sold" >= 0 AND "flash_sales"."sold" <= "flash_sales"."units" AND "flash_sales"."price_fen" >= 0)
);
--> statement-breakpoint
CREATE INDEX `flash_sales_session_idx` ON `flash_sales` (`live_session_id`,`sku_id`,`ends_at`);--> statement-breakpoint
CREATE TABLE `live_chat_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`session_id` text NOT NULL,
	`user_id` text NOT NULL,
	`body` text NOT NULL,
	`status` text NOT NULL,
	`refused_terms` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `live_sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `live_chat_session_idx` ON `live_chat_messages` (`session_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `live_chat_user_idx` ON `live_chat_messages` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `live_removed_viewers` (
	`session_id` text NOT NULL,
	`user_id` text NOT NULL,
	`removed_by` text NOT NULL,
	`removed_at` integer NOT NULL,
	PRIMARY KEY(`session_id`, `user_id`),
	FOREIGN KEY (`session_id`) REFERENCES `live_sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `live_webhook_events` (
	`event_id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`room_name` text,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `order_items` ADD `flash_sale_id` text;--> statement-breakpoint
ALTER TABLE `live_sessions` ADD `pinned_product_id` text;--> statement-breakpoint
ALTER TABLE `live_sessions` ADD `likes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `live_sessions` ADD `viewers_now` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `live_sessions` ADD `peak_viewers` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `live_sessions` ADD `room_started_at` integer;--> statement-breakpoint
ALTER TABLE `live_sessions` ADD `room_finished_at` integer;