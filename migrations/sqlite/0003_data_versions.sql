CREATE TABLE `data_versions` (
	`scope` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL
);
