DROP TABLE offer_alerts_sent;
DROP TABLE student_alerts;
