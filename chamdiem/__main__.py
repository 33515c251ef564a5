from chamdiem.cli import main

raise SystemExit(main())
