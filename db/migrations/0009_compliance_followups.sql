CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`params` text NOT NULL,
	`link` text,
	`created_at` integer NOT NULL,
	`read_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `notifications_user_idx` ON `notifications` (`user_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `moderation_flags` ADD `author_id` text;--> statement-breakpoint
ALTER TABLE `orders` ADD `address_key` text;--> statement-breakpoint
CREATE INDEX `orders_address_key_idx` ON `orders` (`address_key`,`created_at`);--> statement-breakpoint
ALTER TABLE `live_sessions` ADD `title_removed_at` integer;