"""The demo tenant's OpenID Connect identity provider, split by what each module holds."""
