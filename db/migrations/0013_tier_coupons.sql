CREATE TABLE `tier_coupon_grants` (
	`user_id` text NOT NULL,
	`coupon_id` text NOT NULL,
	`tier` text NOT NULL,
	`claim_id` text,
	`granted_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `coupon_id`)
);
--> statement-breakpoint
CREATE TABLE `tier_coupons` (
	`store_id` text NOT NULL,
	`tier` text NOT NULL,
	`coupon_id` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`store_id`, `tier`, `coupon_id`)
);
