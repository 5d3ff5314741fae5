from edt_tui.cli import main

raise SystemExit(main())
