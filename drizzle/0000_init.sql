CREATE TYPE "public"."credit_transaction_type" AS ENUM('GRANT', 'CONSUME', 'EXPIRE', 'REFUND');--> statement-breakpoint
CREATE TABLE "credit_allocation" (
	"transaction_id" bigint NOT NULL,
	"lot_id" bigint NOT NULL,
	"amount" integer NOT NULL,
	CONSTRAINT "credit_allocation_transaction_id_lot_id_pk" PRIMARY KEY("transaction_id","lot_id"),
	CONSTRAINT "credit_allocation_amount_positive" CHECK ("credit_allocation"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "credit_lot" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "credit_lot_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"user_id" text NOT NULL,
	"grant_transaction_id" bigint NOT NULL,
	"amount" integer NOT NULL,
	"remaining" integer NOT NULL,
	"has_remaining" boolean GENERATED ALWAYS AS (remaining > 0) STORED NOT NULL,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_lot_grant_transaction_id_unique" UNIQUE("grant_transaction_id"),
	CONSTRAINT "credit_lot_amount_positive" CHECK ("credit_lot"."amount" > 0),
	CONSTRAINT "credit_lot_remaining_in_range" CHECK ("credit_lot"."remaining" >= 0 AND "credit_lot"."remaining" <= "credit_lot"."amount")
);
--> statement-breakpoint
CREATE TABLE "credit_transaction" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "credit_transaction_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"user_id" text NOT NULL,
	"type" "credit_transaction_type" NOT NULL,
	"amount" integer NOT NULL,
	"balance_after" bigint NOT NULL,
	"source_type" text NOT NULL,
	"idempotency_key" text,
	"request_fingerprint" text,
	"related_transaction_id" bigint,
	"payment_id" bigint,
	"expiration_date" timestamp with time zone,
	"description" text,
	"metadata" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_transaction_amount_sign" CHECK (("credit_transaction"."type" IN ('GRANT', 'REFUND') AND "credit_transaction"."amount" > 0) OR ("credit_transaction"."type" IN ('CONSUME', 'EXPIRE') AND "credit_transaction"."amount" < 0)),
	CONSTRAINT "credit_transaction_amount_bound" CHECK (abs("credit_transaction"."amount") <= 1000000000),
	CONSTRAINT "credit_transaction_balance_after_non_negative" CHECK ("credit_transaction"."balance_after" >= 0),
	CONSTRAINT "credit_transaction_source_type_format" CHECK ("credit_transaction"."source_type" ~ '^[a-z][a-z0-9_]{0,62}$'),
	CONSTRAINT "credit_transaction_expiration_only_on_grant" CHECK ("credit_transaction"."expiration_date" IS NULL OR "credit_transaction"."type" = 'GRANT'),
	CONSTRAINT "credit_transaction_refund_has_consume" CHECK ("credit_transaction"."type" <> 'REFUND' OR "credit_transaction"."related_transaction_id" IS NOT NULL),
	CONSTRAINT "credit_transaction_key_has_fingerprint" CHECK ("credit_transaction"."idempotency_key" IS NULL OR "credit_transaction"."request_fingerprint" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "payment" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "payment_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"provider" text NOT NULL,
	"provider_payment_id" text NOT NULL,
	"user_id" text NOT NULL,
	"type" text NOT NULL,
	"scene" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"status" text NOT NULL,
	"credits" integer NOT NULL,
	"metadata" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payment_amount_non_negative" CHECK ("payment"."amount_minor" >= 0),
	CONSTRAINT "payment_currency_iso" CHECK ("payment"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "payment_credits_non_negative" CHECK ("payment"."credits" >= 0)
);
--> statement-breakpoint
CREATE TABLE "user_credit" (
	"user_id" text PRIMARY KEY NOT NULL,
	"current_credits" bigint DEFAULT 0 NOT NULL,
	"lifetime_granted" bigint DEFAULT 0 NOT NULL,
	"lifetime_consumed" bigint DEFAULT 0 NOT NULL,
	"lifetime_expired" bigint DEFAULT 0 NOT NULL,
	"lifetime_refunded" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_credit_current_non_negative" CHECK ("user_credit"."current_credits" >= 0),
	CONSTRAINT "user_credit_lifetime_non_negative" CHECK ("user_credit"."lifetime_granted" >= 0 AND "user_credit"."lifetime_consumed" >= 0 AND "user_credit"."lifetime_expired" >= 0 AND "user_credit"."lifetime_refunded" >= 0),
	CONSTRAINT "user_credit_totals_add_up" CHECK ("user_credit"."current_credits" = "user_credit"."lifetime_granted" + "user_credit"."lifetime_refunded" - "user_credit"."lifetime_consumed" - "user_credit"."lifetime_expired")
);
--> statement-breakpoint
CREATE TABLE "account" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"provider_id" text NOT NULL,
	"user_id" text NOT NULL,
	"access_token" text,
	"refresh_token" text,
	"id_token" text,
	"access_token_expires_at" timestamp with time zone,
	"refresh_token_expires_at" timestamp with time zone,
	"scope" text,
	"password" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "session" (
	"id" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ip_address" text,
	"user_agent" text,
	"user_id" text NOT NULL,
	CONSTRAINT "session_token_unique" UNIQUE("token")
);
--> statement-breakpoint
CREATE TABLE "user" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"email_verified" boolean DEFAULT false NOT NULL,
	"image" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "verification" (
	"id" text PRIMARY KEY NOT NULL,
	"identifier" text NOT NULL,
	"value" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "credit_allocation" ADD CONSTRAINT "credit_allocation_transaction_id_credit_transaction_id_fk" FOREIGN KEY ("transaction_id") REFERENCES "public"."credit_transaction"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_allocation" ADD CONSTRAINT "credit_allocation_lot_id_credit_lot_id_fk" FOREIGN KEY ("lot_id") REFERENCES "public"."credit_lot"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_lot" ADD CONSTRAINT "credit_lot_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_lot" ADD CONSTRAINT "credit_lot_grant_transaction_id_credit_transaction_id_fk" FOREIGN KEY ("grant_transaction_id") REFERENCES "public"."credit_transaction"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_transaction" ADD CONSTRAINT "credit_transaction_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_transaction" ADD CONSTRAINT "credit_transaction_payment_id_payment_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payment"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment" ADD CONSTRAINT "payment_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_credit" ADD CONSTRAINT "user_credit_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account" ADD CONSTRAINT "account_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session" ADD CONSTRAINT "session_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "credit_lot_burn_order_idx" ON "credit_lot" USING btree ("user_id","expires_at","id") WHERE "credit_lot"."has_remaining";--> statement-breakpoint
CREATE INDEX "credit_lot_expiry_scan_idx" ON "credit_lot" USING btree ("expires_at","user_id") WHERE "credit_lot"."has_remaining" AND "credit_lot"."expires_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "credit_transaction_user_history_idx" ON "credit_transaction" USING btree ("user_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "credit_transaction_user_type_history_idx" ON "credit_transaction" USING btree ("user_id","type","id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "credit_transaction_user_idempotency_key_uq" ON "credit_transaction" USING btree ("user_id","idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_transaction_payment_grant_uq" ON "credit_transaction" USING btree ("payment_id") WHERE "credit_transaction"."type" = 'GRANT' AND "credit_transaction"."payment_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "credit_transaction_related_idx" ON "credit_transaction" USING btree ("related_transaction_id") WHERE "credit_transaction"."related_transaction_id" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "payment_provider_payment_id_uq" ON "payment" USING btree ("provider","provider_payment_id");--> statement-breakpoint
CREATE INDEX "payment_user_id_idx" ON "payment" USING btree ("user_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "account_user_id_idx" ON "account" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "session_user_id_idx" ON "session" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "verification_identifier_idx" ON "verification" USING btree ("identifier");