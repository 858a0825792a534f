CREATE TABLE `community_comments` (
	`id` text PRIMARY KEY NOT NULL,
	`post_id` text NOT NULL,
	`author_id` text NOT NULL,
	`body` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`post_id`) REFERENCES `community_posts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `community_comments_post_idx` ON `community_comments` (`post_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `community_comments_author_idx` ON `community_comments` (`author_id`);--> statement-breakpoint
CREATE TABLE `community_likes` (
	`post_id` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`post_id`, `user_id`),
	FOREIGN KEY (`post_id`) REFERENCES `community_posts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `community_mutes` (
	`store_id` text NOT NULL,
	`user_id` text NOT NULL,
	`muted_by` text NOT NULL,
	`muted_at` integer NOT NULL,
	`reason` text,
	PRIMARY KEY(`store_id`, `user_id`)
);
--> statement-breakpoint
CREATE TABLE `community_posts` (
	`id` text PRIMARY KEY NOT NULL,
	`store_id` text NOT NULL,
	`author_id` text NOT NULL,
	`body` text NOT NULL,
	`image_key` text,
	`product_id` text,
	`session_id` text,
	`status` text NOT NULL,
	`likes` integer DEFAULT 0 NOT NULL,
	`comments` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `community_posts_store_idx` ON `community_posts` (`store_id`,`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `follows` (
	`user_id` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `target_type`, `target_id`)
);
--> statement-breakpoint
CREATE INDEX `follows_target_idx` ON `follows` (`target_type`,`target_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `group_buys` (
	`id` text PRIMARY KEY NOT NULL,
	`offer_id` text NOT NULL,
	`leader_id` text NOT NULL,
	`status` text NOT NULL,
	`seats_taken` integer NOT NULL,
	`seats_paid` integer DEFAULT 0 NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`closed_at` integer,
	FOREIGN KEY (`offer_id`) REFERENCES `group_offers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `group_buys_offer_idx` ON `group_buys` (`offer_id`,`status`);--> statement-breakpoint
CREATE INDEX `group_buys_expiry_idx` ON `group_buys` (`status`,`expires_at`);--> statement-breakpoint
CREATE TABLE `group_members` (
	`group_id` text NOT NULL,
	`user_id` text NOT NULL,
	`order_id` text NOT NULL,
	`status` text NOT NULL,
	`joined_at` integer NOT NULL,
	`paid_at` integer,
	PRIMARY KEY(`group_id`, `user_id`),
	FOREIGN KEY (`group_id`) REFERENCES `group_buys`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `group_members_order_id_unique` ON `group_members` (`order_id`);--> statement-breakpoint
CREATE INDEX `group_members_user_idx` ON `group_members` (`user_id`);--> statement-breakpoint
CREATE TABLE `group_offers` (
	`id` text PRIMARY KEY NOT NULL,
	`store_id` text NOT NULL,
	`product_id` text NOT NULL,
	`sku_id` text NOT NULL,
	`title_zh` text NOT NULL,
	`title_en` text NOT NULL,
	`group_price_fen` integer NOT NULL,
	`currency` text NOT NULL,
	`group_size` integer NOT NULL,
	`window_minutes` integer NOT NULL,
	`stock_left` integer NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`live_session_id` text,
	`active` integer DEFAULT true NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	CONSTRAINT "group_offers_valid" CHECK("group_offers"."group_size" >= 2 AND "group_offers"."group_price_fen" > 0 AND "group_offers"."stock_left" >= 0 AND "group_offers"."window_minutes" > 0)
);
--> statement-breakpoint
CREATE INDEX `group_offers_store_idx` ON `group_offers` (`store_id`,`ends_at`);--> statement-breakpoint
CREATE TABLE `member_codes` (
	`user_id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `member_codes_code_unique` ON `member_codes` (`code`);--> statement-breakpoint
CREATE TABLE `points_ledger` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` text NOT NULL,
	`delta` integer NOT NULL,
	`reason` text NOT NULL,
	`order_id` text,
	`spend_fen` integer DEFAULT 0 NOT NULL,
	`currency` text,
	`note` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `points_ledger_user_idx` ON `points_ledger` (`user_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `points_ledger_order_reason_idx` ON `points_ledger` (`order_id`,`reason`);--> statement-breakpoint
CREATE TABLE `referral_clicks` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`visitor_user_id` text,
	`visitor_device` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`code`) REFERENCES `referral_links`(`code`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `referral_clicks_user_idx` ON `referral_clicks` (`visitor_user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `referral_clicks_device_idx` ON `referral_clicks` (`visitor_device`,`created_at`);--> statement-breakpoint
CREATE TABLE `referral_links` (
	`code` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text NOT NULL,
	`store_id` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `referral_links_owner_idx` ON `referral_links` (`user_id`,`target_type`,`target_id`);--> statement-breakpoint
CREATE TABLE `referral_programs` (
	`store_id` text PRIMARY KEY NOT NULL,
	`reward_kind` text NOT NULL,
	`reward_points` integer,
	`reward_coupon_id` text,
	`window_days` integer DEFAULT 7 NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `referral_rewards` (
	`order_id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`referrer_id` text NOT NULL,
	`referee_id` text NOT NULL,
	`store_id` text NOT NULL,
	`status` text NOT NULL,
	`refused_reason` text,
	`points` integer,
	`coupon_claim_id` text,
	`created_at` integer NOT NULL,
	`reversed_at` integer
);
--> statement-breakpoint
CREATE INDEX `referral_rewards_referrer_idx` ON `referral_rewards` (`referrer_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `referral_rewards_store_idx` ON `referral_rewards` (`store_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `show_notices` (
	`session_id` text NOT NULL,
	`kind` text NOT NULL,
	`sent_at` integer NOT NULL,
	`recipients` integer NOT NULL,
	PRIMARY KEY(`session_id`, `kind`)
);
--> statement-breakpoint
CREATE TABLE `show_reminders` (
	`user_id` text NOT NULL,
	`session_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`reminded_at` integer,
	PRIMARY KEY(`user_id`, `session_id`)
);
--> statement-breakpoint
CREATE INDEX `show_reminders_session_idx` ON `show_reminders` (`session_id`);