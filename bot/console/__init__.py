"""Staff console: conversations, alerts, callback requests, dashboard and exports behind a login."""
