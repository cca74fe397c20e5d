"""The domain rules: routing, staff, people, ticket steps, chases, deadlines, reports, texts."""
