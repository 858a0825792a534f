CREATE TABLE `compliance_terms` (
	`term` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`category` text,
	`added_by` text NOT NULL,
	`added_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `moderation_flags` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`subject_id` text NOT NULL,
	`store_id` text,
	`field` text NOT NULL,
	`text` text NOT NULL,
	`terms` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`decided_by` text,
	`decided_at` integer,
	`note` text
);
--> statement-breakpoint
CREATE TABLE `order_holds` (
	`order_id` text PRIMARY KEY NOT NULL,
	`reasons` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`decided_by` text,
	`decided_at` integer,
	`note` text,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `risk_settings` (
	`rule` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `host_verifications` ADD `id_number_sealed` text;--> statement-breakpoint
ALTER TABLE `host_verifications` ADD `document_key` text;--> statement-breakpoint
ALTER TABLE `orders` ADD `client_ip` text;--> statement-breakpoint
ALTER TABLE `orders` ADD `client_device` text;