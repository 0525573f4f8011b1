-- Named leases between processes: one holder at a time, until the lease runs out.
CREATE TABLE leases (
  name   VARCHAR(64)  NOT NULL,
  holder VARCHAR(255) NULL,
  until  DATETIME(6)  NULL,
  PRIMARY KEY (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
INSERT INTO leases (name) VALUES ('retention');
