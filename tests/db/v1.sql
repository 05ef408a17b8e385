-- The data of tests/db/v1.db: a store as schema 1 kept it.
INSERT INTO scenario (name, title, description, origin, version, created, updated)
VALUES ('old-one', 'From an old vmalab', 'Saved before tags existed.', 'user', 1,
        1700000000, 1700000000);
INSERT INTO step (scenario_id, idx, line, comment, output) VALUES
  (1, 1, 'map 0x200000000000 16k rw', 'the first mapping',
   'mmap(0x200000000000, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0) = 0x200000000000' || char(10)),
  (1, 2, 'maps', NULL,
   '200000000000-200000004000 rw-p 00000000 00:00 0 ' || char(10));
