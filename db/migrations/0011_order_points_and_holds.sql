ALTER TABLE `orders` ADD `points_fen` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `fulfilment_hold` text;