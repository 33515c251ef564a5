from chamdiem.cli.entry import main

raise SystemExit(main())
