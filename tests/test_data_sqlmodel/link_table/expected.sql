CREATE TABLE course (
	code VARCHAR(10) NOT NULL, 
	title VARCHAR NOT NULL, 
	PRIMARY KEY (code)
);
CREATE TABLE enrollment (
	student_id INTEGER NOT NULL, 
	course_code VARCHAR(10) NOT NULL, 
	grade FLOAT, 
	PRIMARY KEY (student_id, course_code), 
	FOREIGN KEY(student_id) REFERENCES student (id), 
	FOREIGN KEY(course_code) REFERENCES course (code)
);
CREATE TABLE student (
	id INTEGER NOT NULL, 
	name VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
