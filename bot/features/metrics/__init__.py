"""Community metrics: /stats, the weekly digest, slipping-away members, reports and exports."""
