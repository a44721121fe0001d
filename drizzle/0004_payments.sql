CREATE TABLE "billing_customer" (
	"user_id" text NOT NULL,
	"provider" text NOT NULL,
	"customer_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "billing_customer_user_id_provider_pk" PRIMARY KEY("user_id","provider")
);
--> statement-breakpoint
CREATE TABLE "payment_adjustment" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "payment_adjustment_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"payment_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"provider_reference" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"status" text NOT NULL,
	"credits_requested" integer NOT NULL,
	"credits_taken" integer NOT NULL,
	"clawback_transaction_id" bigint,
	"restore_transaction_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payment_adjustment_amount_non_negative" CHECK ("payment_adjustment"."amount_minor" >= 0),
	CONSTRAINT "payment_adjustment_credits_in_range" CHECK ("payment_adjustment"."credits_taken" >= 0 AND "payment_adjustment"."credits_taken" <= "payment_adjustment"."credits_requested"),
	CONSTRAINT "payment_adjustment_status_fits_kind" CHECK (("payment_adjustment"."kind" = 'refund' AND "payment_adjustment"."status" = 'applied') OR ("payment_adjustment"."kind" = 'dispute' AND "payment_adjustment"."status" IN ('open', 'won', 'lost')))
);
--> statement-breakpoint
CREATE TABLE "subscription" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "subscription_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"provider" text NOT NULL,
	"provider_subscription_id" text NOT NULL,
	"user_id" text NOT NULL,
	"plan" text NOT NULL,
	"status" text NOT NULL,
	"current_period_end" timestamp with time zone,
	"cancel_at_period_end" boolean DEFAULT false NOT NULL,
	"last_event_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "payment" ADD COLUMN "provider_reference" text;--> statement-breakpoint
ALTER TABLE "payment" ADD COLUMN "refunded_minor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payment" ADD COLUMN "paid_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "billing_customer" ADD CONSTRAINT "billing_customer_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_adjustment" ADD CONSTRAINT "payment_adjustment_payment_id_payment_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payment"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_adjustment" ADD CONSTRAINT "payment_adjustment_clawback_transaction_id_credit_transaction_id_fk" FOREIGN KEY ("clawback_transaction_id") REFERENCES "public"."credit_transaction"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_adjustment" ADD CONSTRAINT "payment_adjustment_restore_transaction_id_credit_transaction_id_fk" FOREIGN KEY ("restore_transaction_id") REFERENCES "public"."credit_transaction"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscription" ADD CONSTRAINT "subscription_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "billing_customer_customer_id_uq" ON "billing_customer" USING btree ("provider","customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "payment_adjustment_reference_uq" ON "payment_adjustment" USING btree ("payment_id","kind","provider_reference");--> statement-breakpoint
CREATE UNIQUE INDEX "subscription_provider_id_uq" ON "subscription" USING btree ("provider","provider_subscription_id");--> statement-breakpoint
CREATE INDEX "subscription_user_id_idx" ON "subscription" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "payment_provider_reference_uq" ON "payment" USING btree ("provider","provider_reference") WHERE "payment"."provider_reference" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "payment" ADD CONSTRAINT "payment_refunded_in_range" CHECK ("payment"."refunded_minor" >= 0 AND "payment"."refunded_minor" <= "payment"."amount_minor");--> statement-breakpoint
ALTER TABLE "payment" ADD CONSTRAINT "payment_status_known" CHECK ("payment"."status" IN ('pending', 'paid', 'partially_refunded', 'refunded', 'disputed', 'dispute_lost', 'needs_attention', 'expired', 'failed'));