"""Payment providers (Stripe, Asaas): checkout, signed webhooks, and applying their events to subscriptions."""
