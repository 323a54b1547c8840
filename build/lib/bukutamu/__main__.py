from bukutamu.cli import main

raise SystemExit(main())
