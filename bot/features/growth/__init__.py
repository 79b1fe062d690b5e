"""Growth: referrals, reward roles and perks, the ambassador pipeline."""
