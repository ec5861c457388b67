DROP TABLE training_skills;
DROP TABLE trainings;
