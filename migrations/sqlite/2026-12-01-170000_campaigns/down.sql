DROP TABLE campaign_assignments;
DROP TABLE campaign_rankings;
DROP TABLE campaign_preferences;
DROP TABLE campaign_offers;
DROP TABLE campaigns;
