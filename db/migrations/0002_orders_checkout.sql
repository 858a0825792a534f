CREATE TABLE `product_images` (
	`id` text PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`storage_key` text NOT NULL,
	`content_type` text NOT NULL,
	`byte_size` integer NOT NULL,
	`position` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `product_images_storage_key_unique` ON `product_images` (`storage_key`);--> statement-breakpoint
CREATE INDEX `product_images_product_idx` ON `product_images` (`product_id`,`position`);--> statement-breakpoint
CREATE TABLE `stock_movements` (
	`id` text PRIMARY KEY NOT NULL,
	`sku_id` text NOT NULL,
	`delta` integer NOT NULL,
	`reason` text NOT NULL,
	`note` text,
	`order_id` text,
	`actor_id` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`sku_id`) REFERENCES `skus`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `stock_movements_sku_idx` ON `stock_movements` (`sku_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `stock_movements_order_idx` ON `stock_movements` (`order_id`);--> statement-breakpoint
CREATE TABLE `after_sales` (
	`id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`kind` text NOT NULL,
	`reason` text NOT NULL,
	`status` text NOT NULL,
	`amount_fen` integer NOT NULL,
	`decided_by` text,
	`decision_note` text,
	`provider_refund_ref` text,
	`created_at` integer NOT NULL,
	`decided_at` integer,
	`returned_at` integer,
	`refunded_at` integer,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `after_sales_order_idx` ON `after_sales` (`order_id`);--> statement-breakpoint
CREATE INDEX `after_sales_status_idx` ON `after_sales` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `cart_items` (
	`user_id` text NOT NULL,
	`sku_id` text NOT NULL,
	`quantity` integer NOT NULL,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `sku_id`),
	FOREIGN KEY (`sku_id`) REFERENCES `skus`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "cart_items_quantity_positive" CHECK("cart_items"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE `coupon_claims` (
	`id` text PRIMARY KEY NOT NULL,
	`coupon_id` text NOT NULL,
	`user_id` text NOT NULL,
	`claimed_at` integer NOT NULL,
	`order_id` text,
	`used_at` integer,
	FOREIGN KEY (`coupon_id`) REFERENCES `coupons`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `coupon_claims_order_id_unique` ON `coupon_claims` (`order_id`);--> statement-breakpoint
CREATE INDEX `coupon_claims_user_idx` ON `coupon_claims` (`user_id`,`coupon_id`);--> statement-breakpoint
CREATE TABLE `coupon_products` (
	`coupon_id` text NOT NULL,
	`product_id` text NOT NULL,
	PRIMARY KEY(`coupon_id`, `product_id`),
	FOREIGN KEY (`coupon_id`) REFERENCES `coupons`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `coupons` (
	`id` text PRIMARY KEY NOT NULL,
	`store_id` text NOT NULL,
	`code` text NOT NULL,
	`name_zh` text NOT NULL,
	`name_en` text NOT NULL,
	`kind` text NOT NULL,
	`value` integer NOT NULL,
	`min_spend_fen` integer NOT NULL,
	`cap_fen` integer,
	`audience` text NOT NULL,
	`scope` text NOT NULL,
	`live_session_id` text,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`per_shopper_limit` integer NOT NULL,
	`total_limit` integer NOT NULL,
	`claimed_count` integer NOT NULL,
	`active` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`store_id`) REFERENCES `stores`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "coupons_claims_within_limit" CHECK("coupons"."claimed_count" >= 0 AND "coupons"."claimed_count" <= "coupons"."total_limit"),
	CONSTRAINT "coupons_value" CHECK("coupons"."value" > 0 AND ("coupons"."kind" <> 'percent_off' OR "coupons"."value" < 100))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `coupons_code_unique` ON `coupons` (`code`);--> statement-breakpoint
CREATE INDEX `coupons_store_idx` ON `coupons` (`store_id`);--> statement-breakpoint
CREATE TABLE `order_items` (
	`order_id` text NOT NULL,
	`sku_id` text NOT NULL,
	`product_id` text NOT NULL,
	`title_zh` text NOT NULL,
	`title_en` text NOT NULL,
	`option_zh` text NOT NULL,
	`option_en` text NOT NULL,
	`sku_code` text NOT NULL,
	`unit_price_fen` integer NOT NULL,
	`quantity` integer NOT NULL,
	`discount_fen` integer NOT NULL,
	PRIMARY KEY(`order_id`, `sku_id`),
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`sku_id`) REFERENCES `skus`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "order_items_quantity_positive" CHECK("order_items"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE `orders` (
	`id` text PRIMARY KEY NOT NULL,
	`number` text NOT NULL,
	`user_id` text NOT NULL,
	`store_id` text NOT NULL,
	`channel` text NOT NULL,
	`live_session_id` text,
	`status` text NOT NULL,
	`payment_method` text NOT NULL,
	`currency` text NOT NULL,
	`subtotal_fen` integer NOT NULL,
	`discount_fen` integer NOT NULL,
	`shipping_fen` integer NOT NULL,
	`total_fen` integer NOT NULL,
	`coupon_claim_id` text,
	`address_sealed` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`carrier` text,
	`tracking_number` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`paid_at` integer,
	`shipped_at` integer,
	`delivered_at` integer,
	`completed_at` integer,
	`closed_at` integer,
	FOREIGN KEY (`store_id`) REFERENCES `stores`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "orders_amounts" CHECK("orders"."subtotal_fen" >= 0 AND "orders"."discount_fen" >= 0 AND "orders"."shipping_fen" >= 0 AND "orders"."total_fen" = "orders"."subtotal_fen" - "orders"."discount_fen" + "orders"."shipping_fen" AND "orders"."total_fen" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `orders_number_unique` ON `orders` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `orders_idempotency_idx` ON `orders` (`user_id`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `orders_user_idx` ON `orders` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `orders_store_idx` ON `orders` (`store_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `orders_expiry_idx` ON `orders` (`status`,`expires_at`);--> statement-breakpoint
CREATE TABLE `payments` (
	`id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`provider` text NOT NULL,
	`provider_ref` text,
	`status` text NOT NULL,
	`amount_fen` integer NOT NULL,
	`currency` text NOT NULL,
	`confirmed_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `payments_provider_ref_unique` ON `payments` (`provider_ref`);--> statement-breakpoint
CREATE INDEX `payments_order_idx` ON `payments` (`order_id`);--> statement-breakpoint
CREATE TABLE `webhook_events` (
	`provider` text NOT NULL,
	`event_id` text NOT NULL,
	`type` text NOT NULL,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`provider`, `event_id`)
);
